from runtime.settings import ServiceSettings


class ProvisionerSettings(ServiceSettings):
    pass
