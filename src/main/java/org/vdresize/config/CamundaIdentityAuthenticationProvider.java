package org.vdresize.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.Tenant;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.vdresize.common.RoleGroups;

/**
 * Checks user name and password against the Camunda identity service, so the /api knows the same
 * users as Cockpit, Tasklist and /engine-rest. A failed check also counts towards Camunda's
 * lockout after wrong passwords, as it does for the webapps.
 *
 * <p>A successful check is remembered for {@code vdresize.security.login-cache} (10 s; 0 turns it
 * off): automation sends its credentials with every request, and each check cost three engine
 * queries and a password hash, about a tenth of the application's CPU while a client polled a
 * resize (docs/benchmark.md). Only a salted hash of the password is kept, never the password; a
 * wrong password is never answered from memory and forgets the user's entry, so a lockout or a
 * changed password counts from the next request, a deleted user or changed groups within the period.
 */
public class CamundaIdentityAuthenticationProvider implements AuthenticationProvider {

    /** Authorities of the token: one per Camunda group. */
    public static final String GROUP_AUTHORITY_PREFIX = RoleGroups.AUTHORITY_PREFIX;
    /** Bounds the memory of the cache; a full cache is emptied and fills again. */
    static final int MAX_REMEMBERED = 10_000;

    private record Remembered(byte[] passwordHash, CamundaUser user, List<String> groups, long expiresAtNanos) {
    }

    private final IdentityService identityService;
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private final byte[] salt = new byte[16];
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    public CamundaIdentityAuthenticationProvider(IdentityService identityService) {
        this(identityService, Duration.ZERO, System::nanoTime);
    }

    public CamundaIdentityAuthenticationProvider(IdentityService identityService, Duration loginCache, LongSupplier nanoTime) {
        this.identityService = identityService;
        this.ttlNanos = loginCache.isNegative() ? 0 : loginCache.toNanos();
        this.nanoTime = nanoTime;
        new SecureRandom().nextBytes(salt);
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String userId = authentication.getName();
        Object credentials = authentication.getCredentials();
        if (userId == null || userId.isEmpty() || !(credentials instanceof String password) || password.isEmpty()) {
            throw new BadCredentialsException("user name and password are required");
        }
        byte[] hash = ttlNanos > 0 ? hash(userId, password) : null;
        Remembered known = hash == null ? null : remembered.get(userId);
        if (known != null && nanoTime.getAsLong() - known.expiresAtNanos() < 0 && MessageDigest.isEqual(hash, known.passwordHash())) {
            return token(known.user(), known.groups());
        }
        boolean valid;
        List<String> groups;
        List<String> tenants;
        try {
            valid = identityService.checkPassword(userId, password);
            if (!valid) {
                remembered.remove(userId);
                throw new BadCredentialsException("wrong user name or password");
            }
            groups = groupsOf(identityService, userId);
            tenants = tenantsOf(identityService, userId);
        } catch (AuthenticationException e) {
            throw e;
        } catch (RuntimeException e) {
            // the engine or its database failed: that is not the client's fault, so no 401
            throw new InternalAuthenticationServiceException("the identity service failed", e);
        }
        CamundaUser user = new CamundaUser(userId, groups, tenants);
        if (hash != null) {
            if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear();
            }
            remembered.put(userId, new Remembered(hash, user, groups, nanoTime.getAsLong() + ttlNanos));
        }
        return token(user, groups);
    }

    static List<String> groupsOf(IdentityService identityService, String userId) {
        return identityService.createGroupQuery().groupMember(userId).list().stream().map(Group::getId).toList();
    }

    static List<String> tenantsOf(IdentityService identityService, String userId) {
        return identityService.createTenantQuery().userMember(userId).includingGroupsOfUser(true).list()
                .stream().map(Tenant::getId).toList();
    }

    /** The token of an authenticated user: one {@value #GROUP_AUTHORITY_PREFIX} authority per group. */
    static Authentication token(CamundaUser user, List<String> groups) {
        return UsernamePasswordAuthenticationToken.authenticated(user, null,
                groups.stream().map(g -> new SimpleGrantedAuthority(GROUP_AUTHORITY_PREFIX + g)).toList());
    }

    private byte[] hash(String userId, String password) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            digest.update(userId.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            return digest.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
