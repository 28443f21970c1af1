package org.vdresize.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.vdresize.audit.RetentionSettings;
import org.vdresize.resize.ApprovalSettings;
import org.vdresize.resize.ResizeLimits;
import org.vdresize.storage.StorageSettings;

/**
 * The settings each feature package reads, as its own records: the features know their values, not the
 * properties they are bound from (ArchitectureTest, docs/architecture.md).
 */
@Configuration(proxyBeanMethods = false)
class SettingsConfig {

    @Bean
    ResizeLimits resizeLimits(VdresizeProperties properties) {
        VdresizeProperties.Limits limits = properties.limits();
        return new ResizeLimits(limits.maxDiskSize(), limits.thinOvercommitRatio());
    }

    @Bean
    ApprovalSettings approvalSettings(VdresizeProperties properties) {
        VdresizeProperties.Approval approval = properties.approval();
        return new ApprovalSettings(approval.growthBytes(), approval.growthPercent(), approval.fourEyes());
    }

    @Bean
    StorageSettings storageSettings(VdresizeProperties properties) {
        VdresizeProperties.Storage storage = properties.storage();
        return new StorageSettings(storage.pollInterval(), storage.maxWait(), storage.lostAfter());
    }

    @Bean
    RetentionSettings retentionSettings(AuditRetentionProperties properties) {
        return new RetentionSettings(properties.retention(), properties.archiveDirectory(), properties.retentionBatch());
    }
}
