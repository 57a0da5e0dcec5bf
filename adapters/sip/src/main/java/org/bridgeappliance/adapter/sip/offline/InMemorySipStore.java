package org.bridgeappliance.adapter.sip.offline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.core.id.UserRef;

/** A {@link SipStore} in memory (tests; nothing survives a restart). */
public final class InMemorySipStore implements SipStore {
    private final TreeMap<Long, Pending> queue = new TreeMap<>();
    private final Map<String, Set<String>> members = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new java.util.HashMap<>();
    private final Map<String, UserRef> personAliases = new java.util.HashMap<>();
    private final Set<String> reactionsOff = ConcurrentHashMap.newKeySet();
    private long nextId = 1;

    @Override
    public synchronized long enqueue(Pending p) {
        long id = nextId++;
        queue.put(id, new Pending(id, p.recipient(), p.fromUri(), p.fromName(), p.body(), p.author(), p.createdAt(),
                p.expiresAt(), p.outcomeKey()));
        return id;
    }

    @Override
    public synchronized List<Pending> pendingFor(String recipient, int limit) {
        return queue.values().stream().filter(p -> p.recipient().equals(recipient)).limit(limit).toList();
    }

    @Override
    public synchronized List<String> recipients(int limit) {
        return new ArrayList<>(queue.values().stream().map(Pending::recipient)
                .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new))).stream().limit(limit).toList();
    }

    @Override
    public synchronized boolean delete(long id) {
        return queue.remove(id) != null;
    }

    @Override
    public synchronized List<Pending> expired(Instant now, int limit) {
        return queue.values().stream().filter(p -> p.expiresAt().isBefore(now)).limit(limit).toList();
    }

    @Override
    public Set<String> members(String slug) {
        return Set.copyOf(members.getOrDefault(slug, Set.of()));
    }

    @Override
    public boolean addMember(String slug, String person) {
        return members.computeIfAbsent(slug, k -> ConcurrentHashMap.newKeySet()).add(person);
    }

    @Override
    public synchronized Optional<String> roomOfAlias(String alias) {
        return Optional.ofNullable(aliases.get(alias));
    }

    @Override
    public synchronized Optional<String> aliasOf(String slug) {
        return aliases.entrySet().stream().filter(e -> e.getValue().equals(slug)).map(Map.Entry::getKey).findFirst();
    }

    @Override
    public synchronized boolean setAlias(String slug, String alias) {
        String owner = aliases.get(alias);
        if (owner != null && !owner.equals(slug)) {
            return false;
        }
        aliases.values().removeIf(slug::equals);
        aliases.put(alias, slug);
        return true;
    }

    @Override
    public synchronized boolean removeAlias(String slug) {
        return aliases.values().removeIf(slug::equals);
    }

    @Override
    public boolean removeMember(String slug, String person) {
        Set<String> s = members.get(slug);
        return s != null && s.remove(person);
    }
    @Override
    public synchronized Optional<UserRef> personOfAlias(String alias) {
        return Optional.ofNullable(personAliases.get(alias));
    }

    @Override
    public synchronized Optional<String> aliasOfPerson(UserRef person) {
        return personAliases.entrySet().stream().filter(e -> e.getValue().equals(person)).map(Map.Entry::getKey)
                .findFirst();
    }

    @Override
    public synchronized boolean setPersonAlias(UserRef person, String alias) {
        UserRef owner = personAliases.get(alias);
        if (owner != null) {
            return owner.equals(person);
        }
        personAliases.values().removeIf(person::equals);
        personAliases.put(alias, person);
        return true;
    }

    @Override
    public synchronized boolean removePersonAlias(UserRef person) {
        return personAliases.values().removeIf(person::equals);
    }
    @Override
    public boolean reactionsShown(String slug) {
        return !reactionsOff.contains(slug);
    }

    @Override
    public void setReactionsShown(String slug, boolean shown) {
        if (shown) {
            reactionsOff.remove(slug);
        } else {
            reactionsOff.add(slug);
        }
    }
}
