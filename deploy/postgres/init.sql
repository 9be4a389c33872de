-- One database per service (design: services share nothing but events).
CREATE DATABASE auth;
CREATE DATABASE appointments;
CREATE DATABASE video;
