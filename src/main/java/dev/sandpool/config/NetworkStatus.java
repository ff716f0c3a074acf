package dev.sandpool.config;

public enum NetworkStatus {
    EgressDisabled, EgressEnabled
}
