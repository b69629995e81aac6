"""Writes on member development: record steps (checked by the rules engine), open and close cases, remove
the latest step, cultivation records and yearly plans. Batch-first: the step form, the API, the 发展环节
sheet and the demo city call ``record_steps`` with a batch of steps (a single step is a batch of one),
checked together against each case's recorded steps and the batch's earlier ones, then written in bulk.

Recording the approval of an admission (S17) gives the person a membership from the branch meeting's date
(PROB.START), and the approval of a conversion (S24) makes it full from the end of the probation, so that
the political status is derived from the development record and never typed twice (``people.services``).
A membership recorded otherwise must agree with the steps.
"""

from ..models import OVERRIDE
from .cases import (
    CASES,
    CULTIVATION,
    PLANS,
    Closure,
    close_case,
    close_cases,
    delete_last_steps,
    open_case,
    rederive,
    save_cultivation,
    save_plans,
)
from .scans import ATTACHMENT_KINDS, ATTACHMENT_MAX_BYTES, check_attachment, make_attachment
from .steps import STEPS, record_step, record_steps
from .stories import Given, Step, StepRefusedError, apply_plan, clean_data, done_of

__all__ = [
    "ATTACHMENT_KINDS",
    "ATTACHMENT_MAX_BYTES",
    "CASES",
    "CULTIVATION",
    "OVERRIDE",
    "PLANS",
    "STEPS",
    "Closure",
    "Given",
    "Step",
    "StepRefusedError",
    "apply_plan",
    "check_attachment",
    "clean_data",
    "close_case",
    "close_cases",
    "delete_last_steps",
    "done_of",
    "make_attachment",
    "open_case",
    "record_step",
    "record_steps",
    "rederive",
    "save_cultivation",
    "save_plans",
]
