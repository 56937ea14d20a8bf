//! Wire tests of every HTTP backend against `wiremock` servers on 127.0.0.1.
