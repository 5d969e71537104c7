"""Stream of awards with a pending certificate: render the PDF to S3 and link it."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
import accolade.coldstart  # noqa: F401

# isort: split
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.adapters.pdf import PdfCertificateRenderer
from accolade.bootstrap import Container
from accolade.entrypoints.streams import certificate_record, process_each_record
from accolade.observability import observed_handler

# fpdf2 and segno come with this function alone (its requirements.txt), the fonts beside it.
renderer = PdfCertificateRenderer(Path(__file__).resolve().parent / "fonts")


def record_handler(record: dict[str, Any], c: Container) -> bool:
    return certificate_record(record, c, renderer)


@observed_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_each_record(event, context, record_handler)
