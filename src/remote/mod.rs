//! Vendor HTTP APIs: rooms, recording and participants (feature `remote`).
