"""appealwatch: keeps track of account suspension notices and appeals in your mailbox."""

__version__ = "0.1.0"
