from pydantic import Field, HttpUrl

from runtime.settings import ServiceSettings


class TakeoverSettings(ServiceSettings):
    # The operator page (and the human-resolved API) listens here, on loopback.
    http_port: int = Field(ge=0, le=65535)
    # A person has this long to solve an intervention before the task fails (original design: 300 s).
    human_timeout_s: float = Field(default=300.0, gt=0)
    # A sign-in wall or a checkpoint waits for the user, who is told by mail: a day to come and pass it.
    signin_timeout_s: float = Field(default=86_400.0, gt=0)
    # How often overdue interventions are looked for.
    timeout_check_s: float = Field(default=5.0, gt=0)
    # Where operators sign in: intake's API checks their password and issues their token.
    intake_url: HttpUrl | None = None
    # Where the operator page links a task's trace (a trace explorer), "{trace_id}" replaced.
    trace_url_template: str | None = None
