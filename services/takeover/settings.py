from runtime.settings import ServiceSettings


class TakeoverSettings(ServiceSettings):
    pass
