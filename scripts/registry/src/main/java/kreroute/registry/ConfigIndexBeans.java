package kreroute.registry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import java.util.List;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;

/**
 * The beans that Apicurio's config-index Quarkus extension would add at build time. Its deployment
 * artifact is not on Maven Central, so the extension is left out and its one missing bean comes from
 * here: an empty list of dynamic configuration properties.
 */
@ApplicationScoped
public class ConfigIndexBeans {
    @Produces
    @ApplicationScoped
    DynamicConfigPropertyList dynamicConfigProperties() {
        return new DynamicConfigPropertyList(List.of());
    }
}
