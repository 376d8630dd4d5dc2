"""Signing several files in one step (the queue's form), its progress page (HTMX polling), and
"send me a code" for a remote signer (BSrE). Thin: permits.services.batch_signing decides."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from agencies.models import Role
from agencies.permissions import role_required
from agencies.selectors import agencies_of
from permits.models import SigningBatch, SigningBatchItem
from permits.selectors import rejection_letters_to_sign, signing_queue_rows
from permits.services.batch_signing import item_state, permits_sign, rejection_letters_sign
from permits.signing import SigningCredential, get_signer, needs_credential
from ptsp.errors import DomainError
from security.forms import StepUpForm


class BatchSignForm(StepUpForm):
    """The step-up, and for a remote signer what the person types for BSrE. The secret is
    never shown again (render_value=False), stored or logged."""

    kind = forms.ChoiceField(
        label=_("BSrE credential"),
        choices=[
            (SigningCredential.PASSPHRASE, _("My BSrE passphrase")),
            (SigningCredential.TOTP, _("A one-time code BSrE sent me")),
        ],
        initial=SigningCredential.PASSPHRASE,
        required=False,
    )
    secret = forms.CharField(
        label=_("BSrE passphrase or one-time code"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )

    def __init__(self, *args, remote: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.remote = remote
        if not remote:
            del self.fields["kind"], self.fields["secret"]

    def credential(self) -> SigningCredential | None:
        if not self.remote:
            return None
        secret = self.cleaned_data.get("secret") or ""
        if not secret:
            return None
        return SigningCredential(self.cleaned_data.get("kind") or "passphrase", secret)


def signer_region(user):
    agencies = agencies_of(user, Role.SIGNER)
    return agencies[0].region if agencies else None


def region_signs_remotely(user, region=None) -> tuple[bool, str]:
    """(whether the region — default the signer's — signs with BSrE, why it cannot sign now,
    if it cannot). One query (the region's BSrE configuration) for a region without BSrE."""
    region = region or signer_region(user)
    if region is None:
        return False, ""
    try:
        return needs_credential(get_signer(region, user=user)), ""
    except DomainError as exc:
        return True, str(exc.message)


LETTERS_PREFIX = "letters"


def queue_context(request, form=None, letters_form=None) -> dict:
    remote, problem = region_signs_remotely(request.user)
    return {
        "applications": signing_queue_rows(request.user),
        "form": form or BatchSignForm(remote=remote),
        "letters": rejection_letters_to_sign(request.user),
        "letters_form": letters_form or BatchSignForm(remote=remote, prefix=LETTERS_PREFIX),
        "remote": remote,
        "signer_problem": problem,
        # A legal deadline already passed is marked overdue in the queue.
        "now": timezone.now(),
    }


@require_POST
@role_required(Role.SIGNER)
def sign_batch(request):
    """Sign the chosen files (`application`), or every file waiting (`scope=all`)."""
    remote, _problem = region_signs_remotely(request.user)
    form = BatchSignForm(request.POST, remote=remote)
    rows = signing_queue_rows(request.user)
    if request.POST.get("scope") == "all":
        ids = [row["pk"] for row in rows]
    else:
        waiting = {row["pk"] for row in rows}
        ids = [int(v) for v in request.POST.getlist("application") if v.isdigit()]
        ids = [pk for pk in ids if pk in waiting]
    if form.verify(actor=request.user, request=request):
        try:
            batch = permits_sign(
                application_ids=ids, actor=request.user, credential=form.credential()
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("permits:batch", pk=batch.pk)
    context = queue_context(request, form)
    return render(request, "permits/signing_queue.html", context, status=400)


@require_POST
@role_required(Role.SIGNER)
def sign_letters(request):
    """Sign the chosen rejection letters waiting for a BSrE signature (`letter`), or all of them
    (`scope=all`), like permits: the step-up and the BSrE passphrase or code."""
    remote, _problem = region_signs_remotely(request.user)
    form = BatchSignForm(request.POST, remote=remote, prefix=LETTERS_PREFIX)
    waiting = [row["pk"] for row in rejection_letters_to_sign(request.user)]
    if request.POST.get("scope") == "all":
        ids = waiting
    else:
        chosen = [int(v) for v in request.POST.getlist("letter") if v.isdigit()]
        ids = [pk for pk in chosen if pk in set(waiting)]
    if form.verify(actor=request.user, request=request):
        try:
            batch = rejection_letters_sign(
                letter_ids=ids, actor=request.user, credential=form.credential()
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("permits:batch", pk=batch.pk)
    context = queue_context(request, letters_form=form)
    return render(request, "permits/signing_queue.html", context, status=400)


@require_POST
@role_required(Role.SIGNER)
def request_code(request):
    """Ask BSrE to send the signer a one-time code ("send me a code")."""
    region = signer_region(request.user)
    try:
        signer = get_signer(region, user=request.user)
        if not needs_credential(signer):
            raise DomainError(_("This region does not sign with BSrE."))
        signer.request_totp()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("BSrE has sent you a one-time code. Type it below within two minutes."),
        )
    target = request.POST.get("next", "")
    if target.isdigit():
        return redirect("permits:sign", pk=int(target))
    return redirect("permits:signing_queue")


def _batch_of(user, pk: int) -> SigningBatch:
    return get_object_or_404(SigningBatch, pk=pk, signer=user)


def _progress(batch: SigningBatch) -> dict:
    items = list(
        batch.items.select_related(
            "batch", "letter", "application__permit_type", "application__permit"
        )
    )
    rows = []
    for item in items:
        state = item_state(item)
        done = state == "done" and not item.letter_id
        permit = getattr(item.application, "permit", None) if done else None
        rows.append({"item": item, "state": state, "permit": permit, "letter": item.letter})
    final = {SigningBatchItem.State.DONE, SigningBatchItem.State.FAILED, "unknown"}
    done = sum(1 for row in rows if row["state"] == SigningBatchItem.State.DONE)
    return {
        "batch": batch,
        "rows": rows,
        "finished": all(row["state"] in final for row in rows),
        "done_count": done,
        "total": len(rows),
        "letters": any(row["letter"] for row in rows),
    }


@role_required(Role.SIGNER)
def batch_page(request, pk: int):
    return render(request, "permits/batch.html", _progress(_batch_of(request.user, pk)))


@role_required(Role.SIGNER)
def batch_status(request, pk: int):
    """The per-file progress partial, polled by HTMX until every file is done or failed."""
    return render(request, "permits/_batch_status.html", _progress(_batch_of(request.user, pk)))
