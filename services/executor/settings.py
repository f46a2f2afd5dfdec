from runtime.settings import ServiceSettings


class ExecutorSettings(ServiceSettings):
    pass
