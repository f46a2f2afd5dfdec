from pydantic import Field

from runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    http_port: int = Field(ge=0, le=65535)
