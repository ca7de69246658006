"""One error base, one subclass per stage: the CLI maps them to exit codes in one place."""


class ReportpubError(Exception):
    """Base class; `exit_code` is what the CLI returns for it."""

    exit_code = 2
    stage = "reportpub"


class IngestError(ReportpubError):
    """The report cannot be read: missing, empty, binary, undecodable or too large."""

    stage = "ingest"


class ExtractError(ReportpubError):
    stage = "extract"


class BuildError(ReportpubError):
    stage = "build"


class ValidationFailed(ReportpubError):
    """The package failed a blocking check; nothing is published."""

    exit_code = 1
    stage = "validate"

    def __init__(self, message: str, report_path=None):
        super().__init__(message)
        self.report_path = report_path


class PublishError(ReportpubError):
    stage = "publish"


class CorrectionError(ReportpubError):
    """A steward's correction cannot be used: unknown field or fact, a bad value, a broken file."""

    stage = "correct"
