#!/usr/bin/env bash
# Starts a one-host Slurm (munged, slurmctld, slurmd on this machine) for the cluster templates' tests, and waits until
# `sbatch` can run a job. Idempotent: does nothing when the controller already answers. Needs root (or sudo) and
# Debian's slurm-wlm and munge (scripts/test.sh installs them).
#
# Why these settings: no cgroups on a test machine or in a container, so processes are tracked by walking /proc
# (proctrack/linuxproc) and no task plugin binds them (task/none); the node offers every core of this machine.
set -euo pipefail

sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
host=$(hostname -s)
cpus=$(nproc)

# slurmctld must resolve its own host name; a fresh VM or container may not list it.
if ! getent hosts "$host" >/dev/null; then
  echo "127.0.0.1 $host" | $sudo tee -a /etc/hosts >/dev/null
fi

if scontrol ping 2>/dev/null | grep -q 'is UP'; then
  echo "slurm: already running on $host"
  exit 0
fi

# munge: one key shared by every daemon and client on this host.
if [[ ! -s /etc/munge/munge.key ]]; then
  $sudo install -d -o munge -g munge -m 700 /etc/munge
  $sudo dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
$sudo chown munge:munge /etc/munge/munge.key
$sudo chmod 400 /etc/munge/munge.key
$sudo install -d -o munge -g munge -m 755 /run/munge /var/log/munge /var/lib/munge
if ! pgrep -x munged >/dev/null; then
  $sudo runuser -u munge -- /usr/sbin/munged
fi
for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null

$sudo install -d -m 755 /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
$sudo tee /etc/slurm/slurm.conf >/dev/null <<CONF
# Written by scripts/slurm/start-local-slurm.sh: a one-host cluster for tests.
ClusterName=sweeptest
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
KillWait=10
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF

pgrep -x slurmctld >/dev/null || $sudo /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || $sudo /usr/sbin/slurmd

for _ in $(seq 100); do
  if sinfo -h -N -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then
    echo "slurm: $host up with $cpus CPUs"
    exit 0
  fi
  sleep 0.2
done
echo "slurm: the node did not become idle; sinfo says:" >&2
sinfo -N -l >&2 || true
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
