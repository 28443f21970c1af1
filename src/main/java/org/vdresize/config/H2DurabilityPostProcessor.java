package org.vdresize.config;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * H2 flushes commits to its file about every 500 ms by default, so a kill -9 could lose a resize
 * that was already answered 202. WRITE_DELAY=0 flushes every commit; added to any H2 URL, also
 * one given on the command line.
 */
@Component
class H2DurabilityPostProcessor implements BeanPostProcessor {

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource ds && ds.getJdbcUrl() != null) {
            ds.setJdbcUrl(durable(ds.getJdbcUrl()));
        }
        return bean;
    }

    static String durable(String url) {
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:") || url.toUpperCase().contains("WRITE_DELAY=")) {
            return url;
        }
        return url + ";WRITE_DELAY=0";
    }
}
