from processes.models import LifecycleState


def test_it_allocates_a_child_through_the_services(allocated_child):
    assert allocated_child.state == LifecycleState.ALLOCATED
    assert allocated_child.assignments.current().count() == 2
