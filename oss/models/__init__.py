"""What the portal keeps about OSS-RBA (issue 16), one module per part:
`connection` (each region's connection), `checklist` (the permits OSS asked us to process and
the applications they became), and beside them what OSS sent us and what we sent."""

from oss.models.checklist import ChecklistItem, checklist_of
from oss.models.connection import RegionConnection
from oss.models.deliveries import OssDelivery, OssStatusCheck
from oss.models.inbound import *  # noqa: F403 - the inbound half (H5)
from oss.models.inquiry import NibInquiry
from oss.models.operator import OperatorAction

__all__ = [
    "ChecklistItem",
    "NibInquiry",
    "OperatorAction",
    "OssDelivery",
    "OssStatusCheck",
    "RegionConnection",
    "checklist_of",
]
