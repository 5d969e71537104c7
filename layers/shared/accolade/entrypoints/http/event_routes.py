"""POST /v1/events, in its own module: the ingest function serves only this route, so it loads
neither the other routes nor their bodies and services (``routes``)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from accolade.bootstrap import container
from accolade.config import settings
from accolade.entrypoints.http import bodies
from accolade.entrypoints.http.auth import EVENTS_WRITE
from accolade.entrypoints.http.routing import answer, caller_of, documented
from accolade.observability import count
from accolade.services import ingest

events = Router()


@documented(events.post, "/v1/events", "Accepted: each event is recorded once", status=202)
def post_events(batch: Annotated[bodies.EventsIn, Body()]) -> Response[bodies.EventsAccepted]:
    """Record activity events

    Record 1 to 100 events of the caller's tenant (a token with the events:write scope). An
    event_id already recorded is listed in duplicates and counted once; achievements are
    evaluated after the answer, from the stored events.
    """
    caller = caller_of(events)
    caller.require_scope(EVENTS_WRITE, settings().resource_server)
    c = container()
    found = [item.to_domain() for item in batch.events]
    result = ingest.record_events(caller.tenant_id, found, store=c.events, clock=c.clock)
    count("EventsAccepted", len(result.accepted))
    count("EventsDuplicated", len(result.duplicates))
    body = bodies.EventsAccepted(accepted=result.accepted, duplicates=result.duplicates)
    return answer(202, body)
