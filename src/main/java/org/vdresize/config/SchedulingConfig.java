package org.vdresize.config;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Storage job heartbeats run on Spring's scheduler. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class SchedulingConfig {
}
