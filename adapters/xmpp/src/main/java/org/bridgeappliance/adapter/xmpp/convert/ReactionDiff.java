package org.bridgeappliance.adapter.xmpp.convert;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reconciles XEP-0444's "complete set" semantics with the canonical one-reaction add/remove events:
 * what a new set adds to and removes from the previous one. Pure.
 */
public record ReactionDiff(Set<String> added, Set<String> removed) {
    public ReactionDiff {
        added = Set.copyOf(added);
        removed = Set.copyOf(removed);
    }

    public static ReactionDiff between(Set<String> previous, Set<String> next) {
        Set<String> added = new LinkedHashSet<>(next);
        added.removeAll(previous);
        Set<String> removed = new LinkedHashSet<>(previous);
        removed.removeAll(next);
        return new ReactionDiff(added, removed);
    }

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty();
    }
}
