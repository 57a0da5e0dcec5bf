package org.bridgeappliance.adapter.xmpp.limits;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A map keyed by remote input with a hard size cap: least recently used entries go first, but only entries
 * {@code evictable} accepts (a gateway room with joiners is never dropped under them). When nothing may be
 * evicted, {@link #getOrCreate} refuses instead of growing. Reads that find an entry count as a use.
 *
 * <p>Thread-safe (one lock); the functions passed in run under it and must not block. Views are snapshots.
 */
public final class Lru<K, V> {
    private final int capacity;
    private final Predicate<V> evictable;
    private final LinkedHashMap<K, V> map = new LinkedHashMap<>(16, 0.75f, true);

    /** Every entry may be evicted. */
    public Lru(int capacity) {
        this(capacity, v -> true);
    }

    public Lru(int capacity, Predicate<V> evictable) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.evictable = Objects.requireNonNull(evictable, "evictable");
    }

    public int capacity() {
        return capacity;
    }

    public synchronized V get(K key) {
        return map.get(key);
    }

    public synchronized boolean containsKey(K key) {
        return map.containsKey(key);
    }

    public synchronized boolean containsValue(V value) {
        return map.containsValue(value);
    }

    /**
     * Puts {@code value}, evicting least recently used evictable entries while over the cap.
     *
     * @return the entries evicted to make room (usually none), for the caller to act on outside the lock
     */
    public synchronized List<Map.Entry<K, V>> put(K key, V value) {
        map.put(key, value);
        return trim(key);
    }

    /** The entry for {@code key}, created by {@code create} if there is room; empty if full of unevictable entries. */
    public synchronized Optional<V> getOrCreate(K key, Function<K, V> create) {
        V existing = map.get(key);
        if (existing != null) {
            return Optional.of(existing);
        }
        if (map.size() >= capacity && trimOne(key).isEmpty()) {
            return Optional.empty();
        }
        V created = create.apply(key);
        map.put(key, created);
        return Optional.of(created);
    }

    /** {@link Map#compute} under the cap (evicted entries are dropped silently). */
    public synchronized V compute(K key, BiFunction<K, V, V> remap) {
        V value = map.compute(key, remap);
        trim(key);
        return value;
    }

    public synchronized V remove(K key) {
        return map.remove(key);
    }

    public synchronized int size() {
        return map.size();
    }

    public synchronized List<V> values() {
        return new ArrayList<>(map.values());
    }

    public synchronized List<Map.Entry<K, V>> entries() {
        List<Map.Entry<K, V>> out = new ArrayList<>(map.size());
        map.forEach((k, v) -> out.add(Map.entry(k, v)));
        return out;
    }

    public synchronized void clear() {
        map.clear();
    }

    private List<Map.Entry<K, V>> trim(K keep) {
        List<Map.Entry<K, V>> evicted = List.of();
        while (map.size() > capacity) {
            Optional<Map.Entry<K, V>> one = trimOne(keep);
            if (one.isEmpty()) {
                break; // nothing may go: over the cap until entries become evictable (callers refuse new ones)
            }
            if (evicted.isEmpty()) {
                evicted = new ArrayList<>(1);
            }
            evicted.add(one.get());
        }
        return evicted;
    }

    private Optional<Map.Entry<K, V>> trimOne(K keep) {
        for (Iterator<Map.Entry<K, V>> it = map.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<K, V> e = it.next();
            if (!e.getKey().equals(keep) && evictable.test(e.getValue())) {
                it.remove();
                return Optional.of(Map.entry(e.getKey(), e.getValue()));
            }
        }
        return Optional.empty();
    }
}
