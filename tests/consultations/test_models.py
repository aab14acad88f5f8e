def test_the_owners_open_steps_index_covers_exactly_the_open_statuses():
    """The dashboard's "my open next steps" filters on NextStep.OPEN_STATUSES: the partial
    index serves it only while its condition names the same statuses."""
    from consultations.models import NextStep

    (index,) = [i for i in NextStep._meta.indexes if i.name == "next_step_owner_open"]

    assert index.condition.children == [("status__in", list(NextStep.OPEN_STATUSES))]
