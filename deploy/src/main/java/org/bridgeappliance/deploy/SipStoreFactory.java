package org.bridgeappliance.deploy;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.bridgeappliance.adapter.sip.offline.SipStore;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.mapping.JdbcSipStore;
import org.bridgeappliance.mapping.MappingDatabase;

/**
 * The SIP adapter's durable state on the appliance's database: the mapping module's {@link JdbcSipStore}
 * (tables of migrations V8, V9, V13, V14) behind the adapter's {@link SipStore} port. The mapping module knows nothing of
 * the adapter, so the two record types are converted here.
 */
@Factory
public class SipStoreFactory {

    /** {@code database} is asked for so that its migrations (V8, V9) have run before the store is used. */
    @Singleton
    SipStore sipStore(DataSource dataSource, MappingDatabase database) {
        JdbcSipStore jdbc = new JdbcSipStore(dataSource, Clock.systemUTC());
        return new SipStore() {
            @Override
            public long enqueue(Pending p) {
                return jdbc.enqueue(new JdbcSipStore.Pending(0, p.recipient(), p.fromUri(), p.fromName(), p.body(),
                        p.author(), p.createdAt(), p.expiresAt(), p.outcomeKey()));
            }

            @Override
            public List<Pending> pendingFor(String recipient, int limit) {
                return jdbc.pendingFor(recipient, limit).stream().map(SipStoreFactory::toPort).toList();
            }

            @Override
            public List<String> recipients(int limit) {
                return jdbc.recipients(limit);
            }

            @Override
            public boolean delete(long id) {
                return jdbc.delete(id);
            }

            @Override
            public List<Pending> expired(Instant now, int limit) {
                return jdbc.expired(now, limit).stream().map(SipStoreFactory::toPort).toList();
            }

            @Override
            public Set<String> members(String slug) {
                return jdbc.members(slug);
            }

            @Override
            public boolean addMember(String slug, String person) {
                return jdbc.addMember(slug, person);
            }

            @Override
            public boolean removeMember(String slug, String person) {
                return jdbc.removeMember(slug, person);
            }

            @Override
            public Optional<String> roomOfAlias(String alias) {
                return jdbc.roomOfAlias(alias);
            }

            @Override
            public Optional<String> aliasOf(String slug) {
                return jdbc.aliasOf(slug);
            }

            @Override
            public boolean setAlias(String slug, String alias) {
                return jdbc.setAlias(slug, alias);
            }

            @Override
            public boolean removeAlias(String slug) {
                return jdbc.removeAlias(slug);
            }

            @Override
            public Optional<UserRef> personOfAlias(String alias) {
                return jdbc.personOfAlias(alias).map(p -> UserRef.of(p.network(), p.user()));
            }

            @Override
            public Optional<String> aliasOfPerson(UserRef person) {
                return jdbc.aliasOfPerson(row(person));
            }

            @Override
            public boolean setPersonAlias(UserRef person, String alias) {
                return jdbc.setPersonAlias(row(person), alias);
            }

            @Override
            public boolean removePersonAlias(UserRef person) {
                return jdbc.removePersonAlias(row(person));
            }

            @Override
            public boolean reactionsShown(String slug) {
                return jdbc.reactionsShown(slug);
            }

            @Override
            public void setReactionsShown(String slug, boolean shown) {
                jdbc.setReactionsShown(slug, shown);
            }
        };
    }

    private static JdbcSipStore.Person row(UserRef person) {
        return new JdbcSipStore.Person(person.network().value(), person.user().value());
    }

    private static SipStore.Pending toPort(JdbcSipStore.Pending p) {
        return new SipStore.Pending(p.id(), p.recipient(), p.fromUri(), p.fromName(), p.body(), p.author(),
                p.createdAt(), p.expiresAt(), p.outcomeKey());
    }
}
