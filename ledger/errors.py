"""The one error the books raise for bad input or a broken rule."""


class LedgerError(ValueError):
    """A rule was broken or an input is invalid; nothing has been written.

    ``code`` is a short stable identifier (for the API, the USSD screens and the catalogs);
    ``field`` names the input at fault, when there is one; ``params`` carries the numbers
    behind the message so a caller can render it in the member's language.
    """

    def __init__(self, code: str, message: str, field: str | None = None, **params: object):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.params = params

    def as_dict(self) -> dict:
        out: dict = {"error": self.message, "code": self.code}
        if self.field:
            out["field"] = self.field
        return out
