package org.vdresize.process;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.springframework.stereotype.Component;

/**
 * The engine wraps whatever a task listener throws in a plain ProcessEngineException, which
 * engine-rest and the webapps answer with 500. This outermost command interceptor hands an
 * {@link ApprovalRefusedException} to the caller as itself once the command has rolled back, so a
 * refused approval is a 403 with its message, and a Java caller can catch it by type.
 */
@Component
public class ApprovalRefusalPlugin extends AbstractProcessEnginePlugin {

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        List<CommandInterceptor> interceptors = configuration.getCustomPreCommandInterceptorsTxRequired() == null
                ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPreCommandInterceptorsTxRequired());
        interceptors.add(0, new UnwrapRefusal());
        configuration.setCustomPreCommandInterceptorsTxRequired(interceptors);
    }

    static final class UnwrapRefusal extends CommandInterceptor {

        @Override
        public <T> T execute(Command<T> command) {
            try {
                return next.execute(command);
            } catch (RuntimeException e) {
                for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                    if (cause instanceof ApprovalRefusedException refused) {
                        throw refused;
                    }
                }
                throw e;
            }
        }
    }
}
