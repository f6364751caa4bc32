package kreroute.registry;

import io.apicurio.common.apps.auth.authn.AppAuthenticationMechanism;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.BasicAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import javax.annotation.Priority;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Alternative;
import javax.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * HTTP basic auth beside Apicurio's bearer tokens, for a registry started with
 * registry.auth.enabled=true (src/local/schema-registry.ts, auth). Apicurio's own mechanism is a
 * CDI alternative that hides every other one, and its basic auth trades the credentials for a token
 * at an OIDC server, which cannot run here; this alternative, of a higher priority, checks a
 * "Basic" header against the users the registry was started with (Quarkus's embedded realm) and
 * leaves every other request to Apicurio's mechanism.
 */
@Alternative
@Priority(2)
@ApplicationScoped
public class BasicOrBearerAuthentication implements HttpAuthenticationMechanism {
    @Inject
    AppAuthenticationMechanism bearer;

    @ConfigProperty(name = "app.authn.enabled", defaultValue = "false")
    boolean authEnabled;

    private final BasicAuthenticationMechanism basic = new BasicAuthenticationMechanism("registry", false);

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        if (!authEnabled) {
            return Uni.createFrom().nullItem();
        }
        String header = context.request().getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return basic.authenticate(context, identityProviderManager);
        }
        return bearer.authenticate(context, identityProviderManager);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return authEnabled ? bearer.getChallenge(context) : basic.getChallenge(context);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class, UsernamePasswordAuthenticationRequest.class);
    }
}
