"""Test infrastructure shared by every suite: a real gateway process, fake vendors, waiting with deadlines."""
