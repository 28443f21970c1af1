package org.vdresize.config;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Settings every H2 URL gets, also one given on the command line, unless it sets them itself:
 * <ul>
 * <li>WRITE_DELAY=0 (file databases): H2 writes commits to its file about every 500 ms by default,
 * so a kill -9 could lose a resize that was already answered 202; 0 writes every commit.</li>
 * <li>QUERY_CACHE_SIZE=128: H2 keeps 8 parsed statements per connection by default, far fewer than
 * the engine's distinct statements, so most were parsed again on every use (docs/benchmark.md).</li>
 * <li>DB_CLOSE_ON_EXIT=FALSE (embedded databases): H2's own shutdown hook would close the database
 * at SIGTERM, beside Spring's, while the steps and storage jobs the stopping node waits for still
 * write their ends (docs/operator-guide.md, "Stopping a node"); the database closes instead with
 * the connection pool, the last bean to go.</li>
 * </ul>
 */
@Component
class H2SettingsPostProcessor implements BeanPostProcessor {

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource ds && ds.getJdbcUrl() != null) {
            ds.setJdbcUrl(withSettings(ds.getJdbcUrl()));
        }
        return bean;
    }

    static String withSettings(String url) {
        if (!url.startsWith("jdbc:h2:")) {
            return url;
        }
        String upper = url.toUpperCase();
        if (!upper.contains("QUERY_CACHE_SIZE=")) {
            url = url + ";QUERY_CACHE_SIZE=128";
        }
        if (!url.startsWith("jdbc:h2:mem:") && !upper.contains("WRITE_DELAY=")) {
            url = url + ";WRITE_DELAY=0";
        }
        if (embedded(url) && !upper.contains("DB_CLOSE_ON_EXIT=")) {
            url = url + ";DB_CLOSE_ON_EXIT=FALSE";
        }
        return url;
    }

    /** A database this JVM opens itself (a server's database closes with the server). */
    private static boolean embedded(String url) {
        return !url.startsWith("jdbc:h2:mem:") && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:");
    }
}
