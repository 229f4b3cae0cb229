//! LiveKit access tokens (HS256 JWT).
