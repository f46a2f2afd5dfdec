"""The job seeker's own live view: their task's browser, on their page, while it waits for them to
sign in or pass a checkpoint.

The page is intake's; it asks intake for a ticket (runtime/tickets.py: the user, the task, one
minute, one use) and opens this socket with it. takeover checks the ticket itself (the same secret
key, never a call to intake), takes its id once, and streams the task's open sign-in wait through
the operators' own machinery (sockets.stream), audited as `user:<id>`.
"""

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from runtime import tickets
from runtime.service import Service
from services.takeover import api, sockets, store
from services.takeover.state import SIGN_IN

# Where a ticket's one use is remembered (until it would have expired anyway).
USED_KEY = "takeover:ticket:{}"
# Close codes: no valid ticket; a ticket of someone else or already used; nothing to view.
REFUSED, NOT_YOURS, NOTHING = 4401, 4403, 4404


async def _first_use(svc: Service, ticket: tickets.Ticket) -> bool:
    return bool(await svc.redis.set(USED_KEY.format(ticket.ticket_id), "1", nx=True, ex=tickets.TTL_S + 5))


async def live(socket: WebSocket) -> None:
    svc: Service = socket.app.state.svc
    try:
        task_id = api.parse_id(socket.path_params["task_id"])
        secret = svc.settings.secret_key.get_secret_value()
        ticket = tickets.verify(socket.query_params.get("ticket", ""), secret, task_id)
    except (api.NotFound, tickets.BadTicket):
        await socket.close(code=REFUSED)
        return
    item = await store.open_of_task(svc.pool, task_id)
    if item is not None and item.user_id != ticket.user_id:
        await socket.close(code=NOT_YOURS)
        return
    if item is None or item.kind != SIGN_IN or not item.cdp_url:
        await socket.close(code=NOTHING)
        return
    if not await _first_use(svc, ticket):
        await socket.close(code=NOT_YOURS)
        return
    await sockets.stream(svc, socket.app.state.viewer, socket, item, f"user:{ticket.user_id}")


ROUTES: list[BaseRoute] = [WebSocketRoute("/api/v1/tasks/{task_id}/live", live)]
