package org.vdresize;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class VdresizeApplication {

    public static void main(String[] args) {
        SpringApplication.run(VdresizeApplication.class, args);
    }
}
