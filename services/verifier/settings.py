from runtime.settings import ServiceSettings


class VerifierSettings(ServiceSettings):
    pass
