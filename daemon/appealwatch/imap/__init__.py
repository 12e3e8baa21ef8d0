"""IMAP: the only package that imports imapclient (imapclient is not thread-safe: one
connection per IDLE watcher, one for fetching and appending).

``connection`` connects and finds folders, ``answers`` reads FETCH answers off the wire,
``source`` is the engine's mail source, ``watch`` holds the IDLE watchers.
"""

from appealwatch.imap.connection import (
    AuthError,
    ImapError,
    ImapSettings,
    connect,
    discover_folders,
    ssl_context,
)
from appealwatch.imap.source import ImapSource
from appealwatch.imap.watch import Backoff, FolderWatcher

__all__ = ["AuthError", "Backoff", "FolderWatcher", "ImapError", "ImapSettings", "ImapSource",
           "connect", "discover_folders", "ssl_context"]
