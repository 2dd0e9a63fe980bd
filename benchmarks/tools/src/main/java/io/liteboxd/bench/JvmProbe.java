package io.liteboxd.bench;

import com.sun.tools.attach.VirtualMachine;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads the heap of another JVM on this machine through the attach API and its local JMX agent (nothing to
 * configure in the target). "Heap after GC" forces a full collection first, so it measures what is retained,
 * not garbage that happens not to be collected yet.
 */
public final class JvmProbe implements AutoCloseable {

    private final JMXConnector connector;
    private final MemoryMXBean memory;
    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();

    private JvmProbe(JMXConnector connector, MemoryMXBean memory, List<MemoryPoolMXBean> pools) {
        this.connector = connector;
        this.memory = memory;
        this.heapPools.addAll(pools);
    }

    public static JvmProbe attach(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address));
        MBeanServerConnection mbs = c.getMBeanServerConnection();
        MemoryMXBean mem = ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.MEMORY_MXBEAN_NAME,
                MemoryMXBean.class);
        List<MemoryPoolMXBean> pools = new ArrayList<>();
        for (ObjectName name : mbs.queryNames(new ObjectName(ManagementFactory.MEMORY_POOL_MXBEAN_DOMAIN_TYPE + ",*"),
                null)) {
            MemoryPoolMXBean pool = ManagementFactory.newPlatformMXBeanProxy(mbs, name.toString(),
                    MemoryPoolMXBean.class);
            if (pool.getType() == MemoryType.HEAP) {
                pools.add(pool);
            }
        }
        return new JvmProbe(c, mem, pools);
    }

    public long heapUsed() {
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Full GC, then heap used: the retained heap. */
    public long heapAfterGc() {
        memory.gc();
        return heapUsed();
    }

    public void resetPeaks() {
        for (MemoryPoolMXBean p : heapPools) {
            p.resetPeakUsage();
        }
    }

    /** Sum of each heap pool's peak since {@link #resetPeaks} (an upper bound of the peak heap, garbage included). */
    public long peakSum() {
        long sum = 0;
        for (MemoryPoolMXBean p : heapPools) {
            sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }

    /** Samples {@link #heapAfterGc} every {@code periodMillis} on a thread of its own until closed. */
    public Sampler sampleRetained(long periodMillis) {
        return new Sampler(periodMillis);
    }

    public final class Sampler implements AutoCloseable {
        private final AtomicLong max = new AtomicLong();
        private final AtomicLong samples = new AtomicLong();
        private volatile boolean running = true;
        private final Thread thread;

        Sampler(long periodMillis) {
            thread = new Thread(() -> {
                while (running) {
                    try {
                        long v = heapAfterGc();
                        max.accumulateAndGet(v, Math::max);
                        samples.incrementAndGet();
                        Thread.sleep(periodMillis);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        public long max() {
            return max.get();
        }

        public long samples() {
            return samples.get();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    @Override
    public void close() throws Exception {
        connector.close();
    }
}
