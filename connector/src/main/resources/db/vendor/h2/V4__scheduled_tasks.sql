-- db-scheduler's table as its project publishes it for HSQLDB/H2 (db-scheduler 16.x:
-- db-scheduler/src/test/resources/hsql_tables.sql; H2 reads BIT as BOOLEAN), plus the indexes of the
-- PostgreSQL schema so due executions are found without a scan.
create table scheduled_tasks (
    task_name varchar(100),
    task_instance varchar(100),
    task_data blob,
    execution_time TIMESTAMP WITH TIME ZONE,
    picked BIT,
    picked_by varchar(50),
    last_success TIMESTAMP WITH TIME ZONE,
    last_failure TIMESTAMP WITH TIME ZONE,
    consecutive_failures INT,
    last_heartbeat TIMESTAMP WITH TIME ZONE,
    version BIGINT,
    priority SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);

CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
