"""The OSS guide's messages: validated schemas, typed values, answers (docs/oss.md).

- `oss.protocol.schema` — the validator (`validate`, `ProtocolError` with field paths).
- `oss.protocol.specs` — every message of the guide, field by field, and `METHODS`.
- `oss.protocol.inbound` — what OSS pushes to us (`parse_receive_nib`, `parse_receive_file_ds`)
  and our answers (`receive_nib_answer`).
- `oss.protocol.outbound` — what we send (`LicenseStatus`, `FinalLicense`, the inquiry payloads)
  and OSS's answers read back.
"""

from oss.protocol.inbound import (
    ChecklistItem,
    LokasiProyek,
    PenanggungJawab,
    Persyaratan,
    Proyek,
    ReceiveFileDS,
    ReceiveNIB,
    UserProses,
    load_json,
    nib_of,
    parse_receive_file_ds,
    parse_receive_nib,
    receive_file_ds_answer,
    receive_nib_answer,
)
from oss.protocol.outbound import (
    BusinessProfile,
    DataPnbp,
    DataTeknis,
    FinalLicense,
    LicenseAnswer,
    LicenseInquiry,
    LicenseStatus,
    LicenseStatusCheck,
    Reference,
    check_license_status_payload,
    get_data_referensi_payload,
    inquery_license_payload,
    inquery_nib_payload,
)
from oss.protocol.schema import Issue, ProtocolError, validate
from oss.protocol.specs import METHODS, OSS_HOSTED, MethodSpec

__all__ = [
    "METHODS",
    "OSS_HOSTED",
    "BusinessProfile",
    "ChecklistItem",
    "DataPnbp",
    "DataTeknis",
    "FinalLicense",
    "Issue",
    "LicenseAnswer",
    "LicenseInquiry",
    "LicenseStatus",
    "LicenseStatusCheck",
    "LokasiProyek",
    "MethodSpec",
    "PenanggungJawab",
    "Persyaratan",
    "ProtocolError",
    "Proyek",
    "ReceiveFileDS",
    "ReceiveNIB",
    "Reference",
    "UserProses",
    "check_license_status_payload",
    "get_data_referensi_payload",
    "inquery_license_payload",
    "inquery_nib_payload",
    "load_json",
    "nib_of",
    "parse_receive_file_ds",
    "parse_receive_nib",
    "receive_file_ds_answer",
    "receive_nib_answer",
    "validate",
]
