package org.bridgeappliance.core.router;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RoomId;

/**
 * The serial delivery queue of one bridged room: tasks run one at a time, in queue order, on the router's
 * shared pool. No thread belongs to a room: a pipeline with work has at most one drain running or
 * scheduled; a task that must wait (backoff, a disconnected network) schedules the next drain instead of
 * sleeping, so a waiting room holds no thread. An empty pipeline retires itself (is removed from the
 * router's map); the next event of the room creates a fresh one.
 *
 * <p>Locking: the pipeline's monitor guards its queue; {@link Router} holds it while accepting an event so
 * that acceptance order (outbox sequence) equals queue order.
 */
final class RoomPipeline {

    /** One unit of work of a room. */
    interface Task {
        /** Returned by {@link #run()} when the task is finished. */
        long DONE = -1;

        /**
         * Works until finished or until it has to wait. Called on a pool thread, never concurrently with
         * itself; called again after the returned wait.
         *
         * @return {@link #DONE}, or the milliseconds to wait before the next call
         */
        long run();

        /** The network whose return the task waits for (then a reconnect wakes it early), or null. */
        Network waitingFor();
    }

    /** What a pipeline needs from its router. */
    interface Host {
        void execute(Runnable drain);

        ScheduledFuture<?> schedule(Runnable wake, long millis);

        void waitFor(Network network, RoomPipeline pipeline);

        void retire(RoomId room, RoomPipeline pipeline);

        void taskFinished();
    }

    /** Tasks run by one drain before it yields its thread to other rooms. */
    private static final int TASKS_PER_TURN = 64;

    private final RoomId room;
    private final Host host;
    private final ArrayDeque<Task> queue = new ArrayDeque<>();
    private boolean running;
    private boolean retired;
    private ScheduledFuture<?> wakeup;
    private Network waitingFor;

    RoomPipeline(RoomId room, Host host) {
        this.room = room;
        this.host = host;
    }

    RoomId room() {
        return room;
    }

    /** Caller holds the monitor. */
    int size() {
        return queue.size();
    }

    /** Caller holds the monitor. True once the pipeline left the router's map: it must not take tasks. */
    boolean retired() {
        return retired;
    }

    /** Caller holds the monitor and has checked {@link #retired()}. */
    void enqueue(Task task) {
        if (retired) {
            throw new IllegalStateException("retired pipeline of " + room);
        }
        queue.add(task);
        if (!running) {
            running = true;
            execute();
        }
    }

    /** Wakes a pipeline waiting for {@code network} now (it came back) instead of at its next scheduled check. */
    void networkReturned(Network network) {
        synchronized (this) {
            if (wakeup == null || !network.equals(waitingFor) || !wakeup.cancel(false)) {
                return;
            }
            wakeup = null;
            waitingFor = null;
        }
        execute();
    }

    private void execute() {
        try {
            host.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // Shutting down: whatever is queued stays in the outbox and is replayed at the next start.
        }
    }

    private void wake() {
        synchronized (this) {
            wakeup = null;
            waitingFor = null;
        }
        execute();
    }

    private void drain() {
        for (int turn = 0; turn < TASKS_PER_TURN; turn++) {
            Task task;
            synchronized (this) {
                task = queue.peek();
                if (task == null) {
                    running = false;
                    retired = true;
                    host.retire(room, this);
                    notifyAll();
                    return;
                }
            }
            long wait;
            try {
                wait = task.run();
            } catch (RuntimeException | Error e) {
                // Tasks handle adapter and store failures themselves; reaching here is a bug. Do not wedge the room.
                System.getLogger(RoomPipeline.class.getName()).log(System.Logger.Level.ERROR,
                        "delivery task of room " + room + " failed unexpectedly; skipping it", e);
                wait = Task.DONE;
            }
            if (wait >= 0) {
                Network network = task.waitingFor();
                synchronized (this) {
                    waitingFor = network;
                    try {
                        wakeup = host.schedule(this::wake, wait);
                    } catch (RejectedExecutionException e) {
                        return; // shutting down
                    }
                }
                if (network != null) {
                    host.waitFor(network, this);
                }
                return;
            }
            synchronized (this) {
                queue.poll();
                notifyAll(); // a submit may wait for room in this queue
            }
            host.taskFinished();
        }
        execute(); // yield: let other rooms use the pool, continue later
    }
}
