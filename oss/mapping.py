"""Our events → OSS's `kd_status` (docs/oss.md, "Phase 2 — outbound").

Who uses it: the receivers of `applications.signals.event_recorded` and
`permits.signals.application_issued` (oss.apps → oss.services.deliveries). The table speaks our
domain on the left (`applications.workflow.Action`) and OSS's codes (`oss.codes`, Lampiran 10)
on the right; no other module maps one to the other.

Only the application's own moves are mapped, not each review's: OSS follows one permit, and a
file routed to three OPDs is recommended once (45) when the last of them recommends, not three
times. Events not in the table (a withdrawal, a reassignment, an issuance that failed and went
back to the signer, an inspection recorded or cancelled, a permit's expiry or revocation: OSS
removed 91/92 in PIA 4.3.19) are not reported.

A levied file (issue 17, `fees`) adds the payment codes: the levy assessed by the assessing
OPD → 30 (*Verifikasi Pembayaran*: the fee is being set), the SKRD issued → 31 (*Konfirmasi
Pembayaran*: the bill, its billing code and due date, is put to the business), the levy paid
(the bank's post or the treasurer's confirmation of a proof) → 33 (*Persetujuan Pembayaran*).
Each carries `data_pnbp` (`pnbp_fields`). 32 ("waiting for verification of the PNBP payment
proof") and 34 are OSS's own steps for central PNBP, not a region's. A levied file's reviews end
in `await_payment` (every OPD recommended, the bill follows): 45 as for `recommend`.

A PBG's `receiveLicense` carries `data_teknis` (`DATA_TEKNIS_FORM_FIELDS`, `data_teknis_fields`):
the approved figures, the assessing officer's (the levy's inputs, corrections included) where
the file was assessed, else the application's own form fields.
"""

from __future__ import annotations

from applications.workflow import Action
from oss.codes import SENDABLE_KD_STATUS

#: Our event's action → the `kd_status` reported in `receiveLicenseStatus`.
EVENT_KD_STATUS: dict[str, str] = {
    Action.SUBMIT: "09",  # filed: the application and its requirements are complete
    Action.RESUBMIT: "09",  # completed again after a return
    Action.RETURN: "11",  # intake: documents incomplete (our intake clock stops)
    Action.ACCEPT: "10",  # intake: documents complete and correct
    Action.ROUTED: "12",  # sent to the OPDs: the technical review (commitment) begins
    Action.INSPECTION_SCHEDULED: "40",  # field inspection
    Action.REQUEST_REVISION: "41",  # an OPD asks the applicant: the SLA stops
    Action.ANSWER_REVISION: "42",  # the applicant answered: the SLA resumes
    Action.RECOMMEND: "45",  # every OPD verified the requirements
    Action.AWAIT_PAYMENT: "45",  # every OPD verified them; a levied file waits for payment
    Action.LEVY_ASSESSED: "30",  # the levy is being set (fees; once per file: ONCE_PER_FILE)
    Action.SKRD_ISSUED: "31",  # the SKRD (bill) put to the business
    Action.PAYMENT_CONFIRMED: "33",  # the levy paid and accepted
    Action.PROPOSE_REJECTION: "93",  # an OPD rejects the requirements
    Action.SEND_BACK_REJECTION: "12",  # the signer sent the rejection back: in review again
    Action.CONFIRM_REJECTION: "90",  # rejected
    Action.ISSUE: "50",  # approved (the permit itself follows as receiveLicense)
    Action.DEEM_APPROVE: "57",  # deemed approved by law (fiktif positif, issue 18)
    # The applicant's correction period (issue 18 part B, applications.sla.corrections).
    Action.CORRECTION_EXPIRED: "42",  # unanswered, back to the OPD: the SLA resumes
    Action.LAPSE: "90",  # not corrected in time: the application is closed without a permit
}

#: A revision request marked `restart` (a re-confirmation) and its answer: the SLA stops and
#: restarts from zero (43), then runs again from the start (44), instead of 41/42.
RESTART_KD_STATUS: dict[str, str] = {
    Action.REQUEST_REVISION: "43",
    Action.ANSWER_REVISION: "44",
}

# A mistyped code would be refused by OSS for every file: refuse it at import instead.
if not set(EVENT_KD_STATUS.values()) | set(RESTART_KD_STATUS.values()) <= SENDABLE_KD_STATUS:
    raise ValueError("oss.mapping: a kd_status OSS does not take")


#: Events reported once per file, whatever how often they recur (a levy assessed again after a
#: correction is still "30"; the later SKRD and payment carry the final figures).
ONCE_PER_FILE = frozenset({str(Action.ROUTED), str(Action.LEVY_ASSESSED)})

#: The events whose `receiveLicenseStatus` carries `data_pnbp`.
PAYMENT_EVENTS = frozenset(
    {str(Action.LEVY_ASSESSED), str(Action.SKRD_ISSUED), str(Action.PAYMENT_CONFIRMED)}
)

#: `IZINFINAL.data_teknis` ← the application's form fields (the catalog's keys for a PBG).
DATA_TEKNIS_FORM_FIELDS: dict[str, str] = {
    "luas_bangunan_disetujui": "luas_bangunan",
    "jumlah_lantai_disetujui": "jumlah_lantai",
    "tinggi_bangunan_disetujui": "tinggi_bangunan",
    "luas_basement_disetujui": "luas_basement",
    "jumlah_lantai_basement_disetujui": "jumlah_lantai_basement",
}
#: … and ← the PBG levy's assessed inputs (`fees.selectors.levy_summary`), which win.
DATA_TEKNIS_LEVY_INPUTS: dict[str, str] = {
    "luas_bangunan_disetujui": "floor_area_m2",
    "jumlah_lantai_disetujui": "floors",
}


def _text(value) -> str:
    """A figure as OSS's text: "250", "250.5" (a dot, no trailing zeros); "" when blank."""
    from decimal import Decimal, InvalidOperation

    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return str(value).strip()
    if not number.is_finite():
        return ""
    text = format(number.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def data_teknis_fields(form_data: dict, levy: dict | None) -> dict[str, str] | None:
    """The `data_teknis` fields of a PBG, or None when the file is not a building approval
    (no PBG levy and none of the building fields in its form)."""
    form_data = form_data or {}
    is_pbg_levy = bool(levy) and levy.get("kind") == "pbg"
    fields = {
        name: _text(form_data.get(key))
        for name, key in DATA_TEKNIS_FORM_FIELDS.items()
        if form_data.get(key) not in (None, "")
    }
    if not fields and not is_pbg_levy:
        return None
    if is_pbg_levy:
        inputs = levy.get("inputs") or {}
        for name, key in DATA_TEKNIS_LEVY_INPUTS.items():
            if inputs.get(key) not in (None, ""):
                fields[name] = _text(inputs[key])
    return fields


def pnbp_fields(action: str, levy: dict | None) -> dict | None:
    """`data_pnbp` for a payment event: the assessed amount at 30, the SKRD's account code,
    billing code, dates and amount at 31 and 33; None when nothing is known of the levy."""
    if levy is None or str(action) not in PAYMENT_EVENTS:
        return None
    bill = levy.get("bill")
    if bill is None:
        return {"kd_akun": levy.get("account_code") or "", "nominal": levy.get("total")}
    return {
        "kd_akun": bill.get("account_code") or levy.get("account_code") or "",
        "kd_penerimaan": levy.get("tariff_code") or "",
        "kd_billing": bill["billing_code"],
        "tgl_billing": bill["issued_on"],
        "tgl_expire": bill["due_date"],
        "nominal": bill["total"],
    }


def kd_status_for(action: str, data: dict | None = None) -> str | None:
    """The `kd_status` OSS is told for an event of `action` (with its `data`), or None (not
    reported)."""
    if (data or {}).get("restart") and str(action) in RESTART_KD_STATUS:
        return RESTART_KD_STATUS[str(action)]
    return EVENT_KD_STATUS.get(str(action))
