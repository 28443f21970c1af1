package org.vdresize.config;

import java.util.Set;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitializationDetector;

/**
 * The engine is built after Flyway has migrated the database: in the postgres profile Flyway creates
 * the engine's tables (db/migration V9, docs/adr/0008-engine-schema-by-flyway.md) and the engine only
 * checks them. Spring Boot makes the beans named here depend on its database initializers (listed in
 * META-INF/spring.factories).
 */
public class EngineAfterDatabaseMigration implements DependsOnDatabaseInitializationDetector {

    @Override
    public Set<String> detect(ConfigurableListableBeanFactory beanFactory) {
        return Set.of(beanFactory.getBeanNamesForType(ProcessEngineConfiguration.class, true, false));
    }
}
