"""Configuration that cannot work stops the process at start, saying which setting and why."""


class ConfigError(ValueError):
    """A setting that cannot work: the process refuses to start, saying which and why."""
