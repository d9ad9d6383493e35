"""The staff HTTP routes besides the login: the CSV export and the JSON API."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from assistant.app import App
from assistant.feedback.auth import StaffAuth
from assistant.transports.staff.login import user_of
from assistant.transports.staff.queue import queue_filters


class RouteCorrection(BaseModel):
    route: str = Field(max_length=40)


class TagsUpdate(BaseModel):
    tags: list[str] = Field(default_factory=list, max_length=20)


def add_api_routes(api: FastAPI, app: App, auth: StaffAuth, path: str) -> None:
    """The CSV export and the staff JSON API: the same session cookie (StaffGate) and same-origin check
    (SameOriginWrites) as every other staff action; each handler checks the session once more."""
    from starlette.concurrency import run_in_threadpool

    from assistant.feedback.review.errors import NotFoundError, ReviewError

    @api.get(f"{path}/export.csv", include_in_schema=False)
    def export_csv(
        request: Request,
        channel: str = "",
        language: str = "",
        reason: str = "",
        since: str = "",
        until: str = "",
        state: str = "",
        queue: bool = False,
        route: str = "",
        tag: str = "",
    ) -> Response:
        if not user_of(auth, request):
            return JSONResponse({"detail": "login required"}, status_code=401)
        try:
            filters = queue_filters(channel, language, reason, since, until, state, route, tag)
        except ValueError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        text = app.review.export_csv(**filters, queue_only=queue)
        name = f"interactions-{date.today().isoformat()}.csv"
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"},
        )

    def refused(request: Request) -> JSONResponse | None:
        return None if user_of(auth, request) else JSONResponse({"detail": "login required"}, status_code=401)

    async def run(action, *args) -> JSONResponse:
        try:
            item = await run_in_threadpool(action, *args)
        except NotFoundError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=404)
        except ReviewError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        return JSONResponse(item.model_dump(mode="json"))

    @api.get(f"{path}/api/queue", include_in_schema=False)
    async def queue(
        request: Request,
        channel: str = "",
        language: str = "",
        reason: str = "",
        since: str = "",
        until: str = "",
        state: str = "open",
        route: str = "",
        tag: str = "",
        limit: int = 200,
    ) -> JSONResponse:
        if (refusal := refused(request)) is not None:
            return refusal
        try:
            filters = queue_filters(channel, language, reason, since, until, state, route, tag)
        except ValueError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        items = await run_in_threadpool(lambda: app.review.queue(**filters, limit=max(1, min(limit, 1000))))
        return JSONResponse([item.model_dump(mode="json") for item in items])

    @api.get(f"{path}/api/items/{{interaction_id}}", include_in_schema=False)
    async def item(request: Request, interaction_id: str) -> JSONResponse:
        return refused(request) or await run(app.review.item, interaction_id)

    @api.post(f"{path}/api/items/{{interaction_id}}/route", include_in_schema=False)
    async def correct_route(request: Request, interaction_id: str, body: RouteCorrection) -> JSONResponse:
        if (refusal := refused(request)) is not None:
            return refusal
        return await run(app.review.correct_route, interaction_id, body.route, user_of(auth, request))

    @api.post(f"{path}/api/items/{{interaction_id}}/tags", include_in_schema=False)
    async def set_tags(request: Request, interaction_id: str, body: TagsUpdate) -> JSONResponse:
        if (refusal := refused(request)) is not None:
            return refusal
        return await run(app.review.set_tags, interaction_id, body.tags, user_of(auth, request))
