from tests import conftest_show  # noqa
from tests.test_sen_costs import *  # noqa
