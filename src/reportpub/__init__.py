"""reportpub: Chinese government reports in, validated open data packages out."""

__version__ = "0.1.0"
EXTRACTOR_VERSION = "0.1.0"
