//! Agora AccessToken2 ("007") and legacy AccessToken ("006").
