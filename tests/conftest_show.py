import tests.test_sen_costs as t
from django.db import connection
from django.test.utils import CaptureQueriesContext
orig = t._statements
WANT = __import__("os").environ["SHOW"]
def _statements(child, node, by, **data):
    task = t.the_task(child, node)
    user = type(by).objects.select_related("staff").get(pk=by.pk)
    with CaptureQueriesContext(connection) as c:
        t.complete(task, user, **data)
    qs = [q["sql"] for q in c.captured_queries if "SAVEPOINT" not in q["sql"]]
    if node == WANT and data.get("outcome", data.get("decision", "")) in ("end", "declined", "") :
        print("\n#### ", node, len(qs)); print("\n".join(q[:170] for q in qs))
    return len(qs)
t._statements = _statements
