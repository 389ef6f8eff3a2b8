// The jobs table (TanStack Table: headless, so it is plain accessible HTML styled here):
// a row per job with a checkbox for bulk actions when the key may act.
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type RowSelectionState,
} from "@tanstack/react-table";
import { memo, useMemo } from "react";
import { Link } from "wouter";
import type { ListedJob } from "../api/types";
import { TableBox } from "../ui/bits";
import { ago, firstLine, shortId } from "../ui/format";
import { currentProgress, ProgressBar } from "../ui/ProgressBar";
import { StatusBadge } from "../ui/StatusBadge";

const column = createColumnHelper<ListedJob>();

function columns(selectable: boolean) {
  const select = column.display({
    id: "select",
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label="Select every job on this page"
        checked={table.getIsAllRowsSelected()}
        ref={(box) => {
          if (box) box.indeterminate = table.getIsSomeRowsSelected();
        }}
        onChange={table.getToggleAllRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <input
        type="checkbox"
        aria-label={`Select job ${row.original.id}`}
        checked={row.getIsSelected()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  });
  const shown = [
    column.accessor("id", {
      header: "Job",
      cell: (info) => (
        <Link href={`/jobs/${info.getValue()}`} title={info.getValue()}>
          <code>{shortId(info.getValue())}</code>
        </Link>
      ),
    }),
    column.accessor("type", { header: "Type" }),
    column.accessor("queue", { header: "Queue" }),
    column.accessor("status", {
      header: "Status",
      cell: (info) => {
        const job = info.row.original;
        const progress = job.status === "running" ? currentProgress(job.progress, job.attempts) : null;
        return (
          <>
            <StatusBadge status={info.getValue()} />
            {progress && <ProgressBar progress={progress} compact />}
          </>
        );
      },
    }),
    column.accessor((job) => `${job.attempts}/${job.max_attempts}`, { id: "attempts", header: "Attempts" }),
    column.accessor("created_at", {
      header: "Created",
      cell: (info) => <time dateTime={info.getValue()}>{ago(info.getValue())}</time>,
    }),
    column.accessor("last_error", {
      header: "Last error",
      cell: (info) => <span className="error-line">{firstLine(info.getValue())}</span>,
    }),
  ];
  return selectable ? [select, ...shown] : shown;
}

interface JobsTableProps {
  jobs: ListedJob[];
  selectable: boolean;
  selection: RowSelectionState;
  onSelection: (selection: RowSelectionState) => void;
}

function JobsTableView({ jobs, selectable, selection, onSelection }: JobsTableProps) {
  const defs = useMemo(() => columns(selectable), [selectable]);
  const table = useReactTable({
    data: jobs,
    columns: defs,
    getRowId: (job) => job.id,
    getCoreRowModel: getCoreRowModel(),
    enableRowSelection: selectable,
    state: { rowSelection: selection },
    onRowSelectionChange: (update) => onSelection(typeof update === "function" ? update(selection) : update),
  });
  if (jobs.length === 0) return <p className="muted">No job matches.</p>;
  return (
    <TableBox label="Jobs">
      <table className="jobs">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className={`col-${header.column.id}`}>
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} data-job={row.id} data-status={row.original.status} aria-selected={row.getIsSelected()}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className={`col-${cell.column.id}`}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}

/** Rendered again only when its jobs or selection change (events patch them in batches). */
export const JobsTable = memo(JobsTableView);
