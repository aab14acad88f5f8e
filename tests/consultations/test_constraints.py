import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from consultations.models import NextStep
from tests.factories import NextStepFactory

pytestmark = pytest.mark.django_db


def test_a_done_next_step_needs_its_completion_date():
    with pytest.raises(IntegrityError):
        NextStepFactory(status=NextStep.Status.DONE, completed_on=None)


def test_a_done_next_step_without_date_gets_a_clear_validation_message():
    step = NextStepFactory()
    step.status = NextStep.Status.DONE

    with pytest.raises(ValidationError) as error:
        step.full_clean()

    assert "A next step marked done needs its completion date." in error.value.messages


def test_a_next_step_must_come_from_somewhere():
    with pytest.raises(IntegrityError):
        NextStepFactory(city=None, consultation=None, workshop=None)


def test_overdue_lists_open_steps_past_their_due_date_only():
    today = datetime.date(2026, 11, 25)
    late = NextStepFactory(due_date=datetime.date(2026, 11, 1))
    NextStepFactory(due_date=datetime.date(2026, 12, 1))
    NextStepFactory(
        due_date=datetime.date(2026, 11, 1),
        status=NextStep.Status.DONE,
        completed_on=datetime.date(2026, 11, 2),
    )

    assert list(NextStep.objects.overdue(today)) == [late]
