import { useQuery } from 'urql';
import { HourlyDataQuery } from './queries';

/** Whether hourly buckets are stored, so the usage pages can offer local days; false until known. */
export function useHourlyData(): boolean {
  const [result] = useQuery({ query: HourlyDataQuery });
  return result.data?.filterOptions.hourlyData ?? false;
}
