"""Writes for applications, one module per part of the journey:

- `filing`: drafts, documents, submission, withdrawal (the applicant's side);
- `intake`: the front office's check, acceptance and return;
- `reviews`: the OPD's side: routing to the agencies, assignment, inspections, decisions;
- `revisions`, `outcome`: the OPD revision loop and the end of the review;
- `notifications`: telling people at every hand-over.

Every status change goes through `applications.workflow`.
"""
