"""Writes to consultations, findings and next steps, each attributed to the acting user."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from cities.models import City, Official
from consultations.models import Consultation, Finding, NextStep, ProgressUpdate
from scn_portal.services import (
    record_apply,
    record_save,
    record_save_rows,
    record_set_m2m,
    record_update,
)


@transaction.atomic
def consultation_create(
    *,
    actor: AbstractBaseUser | None,
    city: City,
    date: datetime.date,
    title: str,
    summary: str,
    officials: Iterable[Official] = (),
    team_members: Iterable[AbstractBaseUser] = (),
    findings: Iterable[dict[str, Any]] = (),
    next_steps: Iterable[dict[str, Any]] = (),
    **fields: Any,
) -> Consultation:
    """Log a consultation with its key findings (dicts of Finding fields) and next steps
    (dicts of NextStep fields), all or nothing: `consultation_save` with new rows."""
    return consultation_save(
        actor=actor,
        consultation=Consultation(),
        data={
            "city": city,
            "date": date,
            "title": title,
            "summary": summary,
            "officials": list(officials),
            "team_members": list(team_members),
            **fields,
        },
        findings=[(Finding(), finding, False) for finding in findings],
        next_steps=[(NextStep(), step, False) for step in next_steps],
    )


@transaction.atomic
def consultation_update(
    *,
    actor: AbstractBaseUser | None,
    consultation: Consultation,
    officials: Iterable[Official] | None = None,
    **fields: Any,
) -> Consultation:
    record_update(consultation, actor=actor, **fields)
    if officials is not None:
        record_set_m2m(consultation, "officials", list(officials), actor=actor)
    return consultation


@transaction.atomic
def next_step_create(
    *, actor: AbstractBaseUser | None, title: str, kind: str, **fields: Any
) -> NextStep:
    return record_save(NextStep(title=title, kind=kind, **fields), actor=actor)


@transaction.atomic
def next_step_set_status(
    *,
    actor: AbstractBaseUser | None,
    next_step: NextStep,
    status: str,
    note: str,
    on: datetime.date | None = None,
) -> ProgressUpdate:
    """Move a next step to `status`, with a dated progress note saying why.

    Marking it done records the completion date; reopening it clears that date.
    """
    on = on or timezone.localdate()
    completed_on = on if status == NextStep.Status.DONE else None
    record_update(next_step, actor=actor, status=status, completed_on=completed_on)
    return record_save(
        ProgressUpdate(next_step=next_step, date=on, author=actor, status=status, note=note),
        actor=actor,
    )


@transaction.atomic
def consultation_save(
    *,
    actor: AbstractBaseUser | None,
    consultation: Consultation,
    data: dict[str, Any],
    findings: list = (),
    next_steps: list = (),
) -> Consultation:
    """Create or change a consultation with its findings and next steps, all or nothing.

    Rows are (instance, data, delete?) as `scn_portal.forms.formset_rows` gives them; a new
    next step concerns the consultation's city.
    """
    if consultation.pk is None:
        consultation.created_by = actor
    record_apply(consultation, data, actor=actor)
    # New findings go after those already recorded, in the order they were typed.
    start = consultation.findings.count()
    findings = [
        (finding, {"position": start + index, **values} if finding.pk is None else values, delete)
        for index, (finding, values, delete) in enumerate(findings)
    ]
    record_save_rows(consultation, "consultation", findings, actor=actor)
    steps = [
        (step, {"city": consultation.city, **values} if step.pk is None else values, delete)
        for step, values, delete in next_steps
    ]
    record_save_rows(consultation, "consultation", steps, actor=actor)
    return consultation


@transaction.atomic
def next_step_save(
    *, actor: AbstractBaseUser | None, next_step: NextStep, data: dict[str, Any]
) -> NextStep:
    """Create or change a next step from validated data."""
    return record_apply(next_step, data, actor=actor)
